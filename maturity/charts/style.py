"""How every chart looks: sizes, fonts and a colour-blind-safe palette, in one place.

Colours follow Okabe & Ito's palette (distinguishable with every common colour-vision
deficiency); nothing relies on colour alone: the own member is also bold and hatched,
groups also differ by marker, levels are also written in the cells.
"""

# Figure sizes in inches (width, height); heights of list-like charts grow per row.
WIDTH = 7.0
RADAR_SIZE = (7.0, 6.0)
ROW_HEIGHT = 0.32
MIN_HEIGHT = 2.6
HEADROOM = 1.2
PANEL_HEIGHT = 2.0
PANEL_COLUMNS = 3
PNG_DPI = 96
LABEL_WRAP = 24

FONT_FAMILY = "DejaVu Sans"  # ships with matplotlib, so every worker draws the same
# Charts are shown at the size they are drawn (PNG_DPI pixels an inch, as wide as their
# column allows), so 8.5 pt is 11.3 px on screen: no chart text is smaller than that.
FONT_SIZE = 9.5
SMALL_FONT_SIZE = 8.5

# Okabe-Ito.
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#8C8C8C"
LIGHT_GREY = "#C8C8C8"

OWN_COLOUR = BLUE
PEER_COLOUR = LIGHT_GREY
OWN_HATCH = "///"
BAND_COLOUR = SKY_BLUE
BAND_ALPHA = 0.25
MEDIAN_COLOUR = BLACK
MEDIAN_STYLE = "--"
GROUP_COLOURS = (BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE, SKY_BLUE, BLACK)
GROUP_MARKERS = ("o", "s", "D", "^", "v", "P", "X")
DIRECTION_STYLES = {  # colour and marker per direction of change
    "rising": (BLUISH_GREEN, "^"),
    "steady": (GREY, "o"),
    "falling": (VERMILLION, "v"),
}
# Levels run from light to dark along cividis, a colour map designed for colour-vision
# deficiencies; cells are labelled with the level number as well.
LEVEL_COLOURMAP = "cividis"
NOT_REPORTED_COLOUR = "#FFFFFF"

# Drawing settings applied while a chart is drawn and saved. SVG text stays text (smaller
# and searchable), and a fixed hash salt makes the same figures give the same bytes. Text is
# never read as mathtext: labels are names people typed, and a "$" must show as a "$".
RC = {
    "text.parse_math": False,
    "font.family": FONT_FAMILY,
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE + 1,
    "axes.labelsize": FONT_SIZE,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.labelsize": SMALL_FONT_SIZE,
    "ytick.labelsize": SMALL_FONT_SIZE,
    "legend.fontsize": SMALL_FONT_SIZE,
    "legend.frameon": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "placewise",
}
