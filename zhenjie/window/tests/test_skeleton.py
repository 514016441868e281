import pytest
from zhenjie.window.testing import make_window_world, make_application
from zhenjie.window.workflow import State

@pytest.mark.django_db
def test_skeleton_states():
    ww = make_window_world()
    for s in (State.RECEIVED, State.NOTIFIED, State.REVIEWING, State.DECIDED):
        a = make_application(ww, state=s)
        assert a.case.state == s, s
        assert a.case.number
    assert a.materials.count() == 3
