FROM localhost/hardfile/busybox:latest
ONBUILD RUN echo triggered > /triggered.txt
ONBUILD COPY app.txt /app/
ONBUILD ENV ONBUILT=yes
ONBUILD LABEL org.example.onbuild=ran
