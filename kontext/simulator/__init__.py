"""A free local stand-in for the apixo API (APIXO_BASE_URL=simulate)."""
