"""Singer target that loads streams into Feishu (飞书) Bitable."""
