"""Singer tap for Yuekeyun (悦刻云) cinema business data."""
