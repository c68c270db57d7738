"""Masking personal data for lists, publicity boards and the API (张*明, 330***********1234)."""


def mask_name(name):
    """张小明 → 张*明, 张明 → 张*."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_digits(number):
    """Keep the first three and last four characters of an ID or account number."""
    return number[:3] + "*" * (len(number) - 7) + number[-4:] if len(number) > 7 else "*" * len(number)
