#!/usr/bin/env python3
"""Draw the polygons of tests/labels.toml over their images, for checking by eye, and a pixel
grid to draw new ones on (issue 32). Needs ImageMagick's `convert` and a DejaVu font.

    python3 tests/measure/render_labels.py tests/labels.toml OUT_DIR [IMAGES_DIR]
        one PNG per [[image]], polygons filled and outlined; photos are read from
        ../shared/testdata/photos, clip frames ("a1-37") from IMAGES_DIR (extract them with
        ffmpeg -i CLIP -vf "select=eq(n\\,37)" -frames:v 1 IMAGES_DIR/a1-37.png)
    python3 tests/measure/render_labels.py --grid IMAGE OUT.png [STEP]
        the image with a labelled pixel grid (default step 50)

Colours: upper red, lower green, full yellow, skin magenta, hair cyan, other blue.
"""
import os, subprocess, sys, tomllib

COL = {"upper": "255,0,0", "lower": "0,200,0", "full": "255,220,0", "skin": "255,0,255", "hair": "0,220,255", "other": "0,0,255"}
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIRS = [os.path.join(REPO, "..", "shared", "testdata", "photos")]

def image_path(name):
    for d in DIRS:
        for ext in ("", ".png"):
            p = os.path.join(d, name + ext)
            if os.path.isfile(p):
                return p
    sys.exit(f"no image {name} in {' or '.join(DIRS)}")

def grid(img, out, step=50):
    w, h = map(int, subprocess.check_output(["identify", "-format", "%w %h", img]).split())
    draw = []
    for x in range(0, w, step):
        draw += ["-stroke", "rgba(255,255,0,0.6)" if x % (step * 2) == 0 else "rgba(0,255,255,0.45)", "-draw", f"line {x},0 {x},{h}"]
    for y in range(0, h, step):
        draw += ["-stroke", "rgba(255,255,0,0.6)" if y % (step * 2) == 0 else "rgba(0,255,255,0.45)", "-draw", f"line 0,{y} {w},{y}"]
    text = []
    for x in range(0, w, step * 2):
        for y in range(0, h, step * 2):
            text += ["-stroke", "none", "-fill", "yellow", "-pointsize", str(max(10, step // 4)), "-annotate", f"+{x + 2}+{y + 12}", f"{x},{y}"]
    subprocess.check_call(["convert", img, "-font", FONT, "-strokewidth", "1", *draw, *text, out])

def render(labels, outdir):
    os.makedirs(outdir, exist_ok=True)
    doc = tomllib.load(open(labels, "rb"))
    for im in doc.get("image", []):
        src = image_path(im["file"])
        args = ["convert", src, "-font", FONT, "-strokewidth", "2"]
        def poly(cls, pts):
            nonlocal args
            c = COL[cls]
            args += ["-fill", f"rgba({c},0.35)", "-stroke", f"rgb({c})", "-draw", "polygon " + " ".join(f"{x},{y}" for x, y in pts)]
        for pts in im.get("other", []):
            poly("other", pts)
        for k, person in enumerate(im.get("person", [])):
            for cls in ("upper", "lower", "full", "skin", "hair"):
                for pts in person.get(cls, []):
                    poly(cls, pts)
            pts = [p for cls in ("upper", "lower", "full", "skin", "hair") for poly_ in person.get(cls, []) for p in poly_]
            if pts:
                x, y = pts[0]
                args += ["-stroke", "none", "-fill", "white", "-undercolor", "black", "-pointsize", "16", "-annotate", f"+{x}+{y}", f"P{k + 1}"]
        out = os.path.join(outdir, os.path.basename(im["file"]).rsplit(".", 1)[0] + ".labels.png")
        subprocess.check_call(args + [out])
        print(out)

if __name__ == "__main__":
    if sys.argv[1] == "--grid":
        grid(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 50)
    else:
        DIRS += sys.argv[3:4]
        render(sys.argv[1], sys.argv[2])
