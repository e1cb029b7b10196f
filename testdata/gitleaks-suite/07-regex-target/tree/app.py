x = "itk_1a24f1ab1d5ea42d199528f8"  # rotated 2024-05
y = "itk_3b248032aaae27e1079b2b77"
key = "ghp_iIu4NJkS4dJkG0fzMAQMEEMyIbPUf9mYQqw8"
token = "ghp_x3SyRthqpvxxGKZWGlby02BcHboRBcynXMgW"
