"""The convex hull of a receiver network's sites and whether a point is inside
it (lon, lat in degrees, as a plane: the networks are a few hundred km wide),
for the tests that score aircraft "inside the network" (tracking/
scenario_quality.py, apps/mlat_live_test.py)."""


def hull(pts):
    """Andrew's monotone chain: the hull's corners, counter-clockwise."""
    pts = sorted(set(pts))
    cross = lambda o, p, q: (p[0] - o[0]) * (q[1] - o[1]) - (p[1] - o[1]) * (q[0] - o[0])
    lo, up = [], []
    for p in pts:
        while len(lo) >= 2 and cross(lo[-2], lo[-1], p) <= 0: lo.pop()
        lo.append(p)
    for p in reversed(pts):
        while len(up) >= 2 and cross(up[-2], up[-1], p) <= 0: up.pop()
        up.append(p)
    return lo[:-1] + up[:-1]


def inside(h, p):
    """p within (or on) the counter-clockwise hull h."""
    return all((h[(i + 1) % len(h)][0] - h[i][0]) * (p[1] - h[i][1]) -
               (h[(i + 1) % len(h)][1] - h[i][1]) * (p[0] - h[i][0]) >= 0 for i in range(len(h)))
