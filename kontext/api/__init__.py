"""The apixo HTTP client: requests, errors, task status, the circuit breaker, callbacks."""
