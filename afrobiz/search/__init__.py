"""Search: finding active businesses by words, place and filters, and as-you-type suggestions (reads only)."""
