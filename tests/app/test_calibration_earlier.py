"""A person's calibration replaced by a newer one is kept, restorable, until deleted."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from calibration_helpers import stand_in_profile
from retrowalk.app import calibration as cal


def test_replaced_profiles_are_kept_and_restorable(tmp_path: Path) -> None:
    old = replace(stand_in_profile("3-1"), made_from="walk-1.csv")
    new = replace(stand_in_profile("4-1"), made_from="walk-2.csv")
    assert cal.store_profile_keeping_earlier(old, 7, tmp_path) == ""
    kept = cal.store_profile_keeping_earlier(new, 7, tmp_path)
    [(name, earlier)] = cal.earlier_profiles(7, tmp_path)
    assert name == kept and earlier == old and earlier.made_from == "walk-1.csv"
    assert cal.read_store(7, tmp_path).found == {"lower_back": new}  # the newest is used

    assert cal.restore_earlier_profile(kept, 7, tmp_path) == old
    assert cal.read_store(7, tmp_path).found == {"lower_back": old}
    [(name, earlier)] = cal.earlier_profiles(7, tmp_path)
    assert earlier == new and name != kept
    # Only a name the listing gives is restored or deleted.
    for other in (kept, "../lower_back", "lower_back"):
        assert cal.restore_earlier_profile(other, 7, tmp_path) is None
        assert not cal.remove_earlier_profile(other, 7, tmp_path)
    assert cal.earlier_profiles(8, tmp_path) == []
    assert cal.remove_earlier_profile(name, 7, tmp_path)
    assert cal.earlier_profiles(7, tmp_path) == []
    assert cal.read_store(7, tmp_path).found == {"lower_back": old}


def test_a_profile_saved_before_made_from_existed_still_loads(tmp_path: Path) -> None:
    profile = stand_in_profile()
    data = profile.to_dict()
    assert data.pop("made_from") == ""
    assert type(profile).from_dict(data) == profile
    assert cal.describe_profile(profile)["directions"] == ["forward", "backward"]
