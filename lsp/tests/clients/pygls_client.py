"""An independent LSP client (Python's pygls) driving hardfile's language server over stdio.

Usage: python pygls_client.py SERVER_COMMAND [ARGS...]

Opens a Dockerfile with known findings, checks the published diagnostics, asks for code
actions, applies the fix-all edit, and checks that the safe findings are gone. Prints a JSON
summary on stdout; exits non-zero (with the reason on stderr) when anything is off.
"""

import asyncio
import json
import sys
import tempfile
from pathlib import Path

from lsprotocol import types as t
from pygls.lsp.client import LanguageClient

DOCKERFILE = (
    "# syntax=docker/dockerfile:1\n"
    "FROM alpine:3.20 as build\n"
    "MAINTAINER Jane <jane@example.com>\n"
    "run echo héllo 😀\n"
)
TIMEOUT = 30


def offset(text: str, position: t.Position) -> int:
    """Byte-free offset into a Python str of an LSP (UTF-16) position."""
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for i, ch in enumerate(line):
        if units >= position.character or ch in "\r\n":
            return start + i
        units += 2 if ord(ch) > 0xFFFF else 1
    return start + len(line)


def apply(text: str, edits) -> str:
    spans = sorted(
        ((offset(text, e.range.start), offset(text, e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


async def main(command: list[str]) -> dict:
    client = LanguageClient("hardfile-pygls-test", "1")
    published: asyncio.Queue = asyncio.Queue()

    @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: t.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    async def diagnostics_for(uri: str, version: int) -> list:
        while True:
            params = await asyncio.wait_for(published.get(), TIMEOUT)
            if params.uri == uri and params.version == version:
                return params.diagnostics

    await client.start_io(*command)
    workspace = Path(tempfile.mkdtemp(prefix="hardfile-pygls-"))
    dockerfile = workspace / "Dockerfile"
    dockerfile.write_text(DOCKERFILE, encoding="utf-8")
    uri = dockerfile.as_uri()

    init = await asyncio.wait_for(
        client.initialize_async(
            t.InitializeParams(
                capabilities=t.ClientCapabilities(),
                process_id=None,
                root_uri=workspace.as_uri(),
            )
        ),
        TIMEOUT,
    )
    check(init.server_info is not None and init.server_info.name == "hardfile", "server info")
    client.initialized(t.InitializedParams())

    client.text_document_did_open(
        t.DidOpenTextDocumentParams(
            text_document=t.TextDocumentItem(
                uri=uri, language_id="dockerfile", version=1, text=DOCKERFILE
            )
        )
    )
    before = await diagnostics_for(uri, 1)
    before_codes = sorted({str(d.code) for d in before})
    for code in ("HF903", "HF805", "HF905"):
        check(code in before_codes, f"{code} missing from {before_codes}")
    maintainer = next(d for d in before if d.code == "HF805")
    check(
        maintainer.code_description is not None
        and maintainer.code_description.href == "https://hardfile.dev/rules/HF805",
        "codeDescription",
    )
    check(t.DiagnosticTag.Deprecated in (maintainer.tags or []), "deprecated tag")

    full = t.Range(start=t.Position(line=0, character=0), end=t.Position(line=4, character=0))
    quick = await asyncio.wait_for(
        client.text_document_code_action_async(
            t.CodeActionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                range=full,
                context=t.CodeActionContext(
                    diagnostics=[maintainer], only=[t.CodeActionKind.QuickFix]
                ),
            )
        ),
        TIMEOUT,
    )
    titles = [a.title for a in quick or []]
    check(any(title.startswith("(unsafe) ") for title in titles), f"unsafe fix in {titles}")
    check("Ignore HF805 for this instruction" in titles, f"ignore action in {titles}")
    check("Ignore HF805 in this file" in titles, f"file ignore action in {titles}")

    actions = await asyncio.wait_for(
        client.text_document_code_action_async(
            t.CodeActionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                range=full,
                context=t.CodeActionContext(
                    diagnostics=before, only=[t.CodeActionKind.SourceFixAll]
                ),
            )
        ),
        TIMEOUT,
    )
    fix_all = [a for a in actions or [] if a.kind == "source.fixAll.hardfile"]
    check(len(fix_all) == 1, f"one fix-all action, got {[a.title for a in actions or []]}")
    edits = fix_all[0].edit.changes[uri]
    check(len(edits) == 1, "fix-all is one whole-document edit")
    fixed = apply(DOCKERFILE, edits)
    check("FROM alpine:3.20 AS build" in fixed, fixed)
    check("RUN echo héllo 😀" in fixed, fixed)
    check("MAINTAINER" in fixed, "unsafe fixes are left alone")

    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    after = await diagnostics_for(uri, 2)
    after_codes = sorted({str(d.code) for d in after})
    check("HF903" not in after_codes and "HF905" not in after_codes, f"left: {after_codes}")
    check("HF805" in after_codes, "the unsafe finding stays")
    safe_left = [
        d.code for d in after if isinstance(d.data, dict) and (d.data.get("fix") or {}).get("safe")
    ]
    check(not safe_left, f"safe fixes left: {safe_left}")

    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            t.HoverParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                position=t.Position(line=1, character=1),
            )
        ),
        TIMEOUT,
    )
    check(hover is not None and "FROM" in hover.contents.value, "hover on FROM")

    await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
    client.exit(None)
    await asyncio.wait_for(client.stop(), TIMEOUT)
    return {
        "before": before_codes,
        "after": after_codes,
        "quick_fix_titles": titles,
        "fix_all_edits": len(edits),
        "exit_code": client._server.returncode if client._server else None,
    }


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: pygls_client.py SERVER_COMMAND [ARGS...]")
    try:
        summary = asyncio.run(main(sys.argv[1:]))
    except Exception as error:  # report every failure the same way
        print(f"pygls client failed: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(summary))
