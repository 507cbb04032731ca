"""Interactive HTML views of the graph; the entry points are in viz.html:
render_views, render_focus and render_subgraph."""
