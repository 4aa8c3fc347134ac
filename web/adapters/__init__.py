"""The outside world behind the domain's ports: the Gemini client, the CoinGecko feed, the
red-pocket secret-words file. web/runtime.py wires them in; the domain never imports them."""
