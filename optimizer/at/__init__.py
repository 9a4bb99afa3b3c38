"""The AT distribution: how many internship positions each hospital gets (spec section 5)."""
