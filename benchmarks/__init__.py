"""Speed and memory benchmarks of tap-yuekeyun and target-feishu against baselines."""
