//! RUN command model built from a real shell parser.
