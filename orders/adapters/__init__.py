"""Channel adapters (SPEC §7): each translates its channel's published field names into the intake service's,
and our order events into its callback payloads and status codes. A new channel is a module here (``parse``,
``callback``) registered in ``ADAPTERS``, plus its ``ApiClient.Adapter`` choice and its endpoints in ``orders/api.py``
(docs/decisions.md)."""

from . import generic, kuaidi100, wechat

ADAPTERS = {"generic": generic, "kuaidi100": kuaidi100, "wechat": wechat}


def adapter_for(name: str):
    return ADAPTERS.get(name, generic)
