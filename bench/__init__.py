"""The benchmark: the real bot in its own process against the local fakes (`python -m bench`, `make bench`)."""
