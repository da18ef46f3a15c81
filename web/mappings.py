"""The mappings of personal data in memory: one set of rules for conversations and phone calls.

The database keeps a conversation's mapping (sealed) until retention or erasure. In memory:
- each web process caches the mappings it read or changed (`Hub.mappings`), each dropped
  30 minutes after its last use (`web.hub.MAPPING_IDLE`) and when its conversation closes;
- phone mode keeps one mapping per call, in the web process of the counsellor's console only
  (`Hub.calls`), dropped when the call ends (« Nouvel appel ») or `RELAIS_PHONE_MAPPING_MINUTES`
  after its last question;
- the model processes keep none: a mapping crosses to them as JSON and comes back grown.
`forget_mapping` drops one mapping from all of these at once, in every process.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from web.broker import BrokerUnavailable
from web.hub import EVICT

if TYPE_CHECKING:
    from web.deps import Services

log = logging.getLogger(__name__)


def phone_mapping_id(counsellor_id: int, call: str | None) -> str:
    """The mapping id of a counsellor's phone call: a call id sent by another account names
    another mapping. No call: a mapping for one question, shared with nothing."""
    return f"phone:{counsellor_id}:{call}" if call else f"phone:{counsellor_id}:-"


async def forget_mapping(ctx: Services, mapping_id: str) -> None:
    """Drop a conversation's (or a phone call's) mapping from the memory of every process: this
    one at once, the others through the broker. The stored mapping is left to the store
    (retention, erasure); a process that cannot be told now (Redis down) drops it when unused."""
    ctx.hub.evict_mapping(mapping_id)
    try:
        await ctx.broker.publish({"to": EVICT, "mapping": mapping_id})
    except BrokerUnavailable:
        log.warning("the other processes could not be told to drop mapping %s: they drop it when unused", mapping_id)
