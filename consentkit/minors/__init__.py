"""Minors: COPPA parental consent for children under 13, and the teen opt-in."""
