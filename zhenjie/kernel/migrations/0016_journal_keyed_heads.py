"""Key the journal (issue 12 item 5; 等保 8.1.4.7 b, 8.1.4.3 c).

The digest scheme is versioned, not rewritten: entries already written keep their plain SHA-256
digests (the table stays append-only — no UPDATE of history, no trigger lifted), and each chain's
head records from which sequence number on its entries carry keyed digests (`keyed_from` = the
next entry), sealed with an HMAC under JOURNAL_KEY. Existing chains therefore verify unchanged;
moving the boundary back to forge SHA-256 entries breaks the seal. The seal certifies the head as
found at migration time: damage done before it is still reported by `journal verify` wherever
the SHA-256 links show it.

The seal is computed here as journal.seal_of computes it (HKDF-SHA256 "zhenjie journal head v1",
HMAC-SHA256 over the canonical JSON), written out so that this migration keeps its meaning."""

import base64
import hashlib
import hmac
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import migrations, models


def _head_key() -> bytes:
    raw = settings.JOURNAL_KEY
    master = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"zhenjie journal head v1").derive(master)


def seal_heads(apps, schema_editor):
    JournalHead = apps.get_model("kernel", "JournalHead")
    key = _head_key()
    for head in JournalHead.objects.filter(keyed_from__isnull=True):
        head.keyed_from = head.seq + 1
        payload = {"chain": head.chain, "seq": head.seq, "hash": head.hash, "keyed_from": head.keyed_from}
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        head.seal = hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()
        head.save(update_fields=["keyed_from", "seal"])


class Migration(migrations.Migration):
    dependencies = [("kernel", "0015_sent_outside")]

    operations = [
        migrations.AddField(model_name="journalhead", name="keyed_from", field=models.PositiveBigIntegerField(null=True)),
        migrations.AddField(model_name="journalhead", name="seal", field=models.CharField(default="", max_length=64)),
        # Going back drops the seals; the entries keyed meanwhile then no longer verify under the
        # old code, nor after migrating forward again (their heads are re-sealed as found, with the
        # boundary after them). A rollback past this migration is for test databases, not counties.
        migrations.RunPython(seal_heads, migrations.RunPython.noop),
    ]
