# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a resource is this deployment's: the one rule both account scanners apply (cost_check's stack of
what exists, leftovers_info's list of what is still billed)."""

from __future__ import annotations


def is_ours(tags, name, want, prefix):
    """Tagged with every one of WANT: ours. Tagged for another project or environment (another option in the same
    account): not ours, whatever its name. Otherwise (untagged, as ECR repositories and log groups are) by its
    name: PREFIX itself, PREFIX-..., PREFIX/..., or a path holding /PREFIX/ or starting /PREFIX- (log groups)."""
    tags, want, name = tags or {}, want or {}, name or ""
    if want and all(tags.get(k) == v for k, v in want.items()):
        return True
    if any(k in tags and tags[k] != v for k, v in want.items()):
        return False
    if not prefix or not name:
        return False
    return (name == prefix or name.startswith((f"{prefix}-", f"{prefix}/")) or f"/{prefix}/" in name
            or name.startswith(f"/{prefix}-"))
