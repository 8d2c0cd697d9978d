import json, pytest
from .test_gate_in_chromium import _chromium_reads
pytestmark = pytest.mark.browser
BAD = json.load(open('/tmp/bad.json'))
@pytest.mark.parametrize("javascript", [False, True])
def test_hunt(new_context, javascript):
    found = _chromium_reads(new_context, [o for s, d, o in BAD], javascript)
    seeds = [s for s, d, o in BAD if o in found]
    print("CHROMIUM LEAKS", javascript, len(found), seeds[:40])
