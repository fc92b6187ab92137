"""The assembler's quotes, definitions and figures: blocks gathered over several pieces, then flushed as one."""
from __future__ import annotations

from .. import model
from ..problems import error
from . import pandoc_ast as ast
from .pieces import Piece


class GatheredHandlers:
    """Quotes with attributions, definition lists, figures with captions, descriptions and diagrams."""

    # --- quotes, definitions, figures (gathered over several pieces) ---------------

    def flush(self) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            return
        kind, data = pending
        if kind == "quote":
            self.add(model.Quote(tuple(data["paragraphs"]), attribution=data.get("attribution")))
        elif kind == "definitions":
            if data.get("term") is not None:
                data["entries"].append(model.Definition(data["term"], ()))
            self.add(model.Definitions(tuple(data["entries"])))
        elif kind == "figure":
            caption = data.get("caption")
            alt = data.get("alt")
            text = model.plain_text(caption) if caption else (alt or "figure")
            diagram = None
            if data.get("parts"):
                diagram = model.Diagram(data.get("layout", "layers"), tuple(data["parts"]))
            image = model.Image(data["image"]) if data.get("image") else None
            if image is None and diagram is None and not alt:
                if caption:  # a caption-styled line with no picture: a paragraph, not a figure
                    self.add(model.Paragraph(caption))
                return
            if image is not None and not alt:
                piece = data.get("piece")
                if self.empty_alt_is_decorative and not caption:
                    self.warn(piece, f"left out the picture {data['image']}: its alt text is empty, which in HTML "
                              "means it is decoration", "import.dropped")
                    return
                if caption:
                    alt = model.plain_text(caption)
                    self.warn(piece, "a picture has no alt text, so its caption is used as its description; "
                              "check it says what the picture shows", "import.no-alt")
                else:
                    self.errors.append(error(self.where(piece), f"{self.place()}: a picture has no alt text; describe "
                                             "it (in Word: right-click it, Edit Alt Text) and import again", "import.no-alt"))
            self.add(model.Figure(self.ids.fresh(text, "figure"), caption=caption, alt=alt, image=image,
                                  diagram=diagram, loc=data.get("loc")))

    def _gather(self, kind: str, piece: Piece) -> dict:
        if self.pending is None or self.pending[0] != kind:
            self.flush()
            self.pending = (kind, {"loc": self.where(piece)})
        return self.pending[1]

    def quote(self, piece: Piece) -> None:
        data = self._gather("quote", piece)
        if data.get("attribution") is not None:
            self.flush()
            data = self._gather("quote", piece)
        data.setdefault("paragraphs", []).append(model.Paragraph(self.inlines(piece.inlines)))

    def attribution(self, piece: Piece) -> None:
        if self.pending is None or self.pending[0] != "quote":
            self.flush()
            self.paragraph(piece)
            return
        raw = ast.para_inlines(piece.block) or []
        content = self.inlines(raw)
        if content and isinstance(content[0], model.Text):
            first = content[0].text.lstrip("—").lstrip()
            content = ((model.Text(first),) if first else ()) + content[1:]
        self.pending[1]["attribution"] = content

    def definitions(self, piece: Piece) -> None:
        data = self._gather("definitions", piece)
        entries = data.setdefault("entries", [])
        for term, definitions in piece.block["c"]:
            raw: list = []
            for blocks in definitions:
                for child in blocks:
                    if raw:
                        raw.append({"t": "Space"})
                    raw.extend(ast.para_inlines(child) or [])
            entries.append(model.Definition(self.inlines(term), self.inlines(raw)))
        self.flush()

    def definition_term(self, piece: Piece) -> None:
        data = self._gather("definitions", piece)
        data.setdefault("entries", [])
        if data.get("term") is not None:
            data["entries"].append(model.Definition(data["term"], ()))
        data["term"] = self.inlines(piece.inlines)

    def definition(self, piece: Piece) -> None:
        if self.pending is None or self.pending[0] != "definitions" or self.pending[1].get("term") is None:
            self.flush()
            self.paragraph(piece)
            return
        data = self.pending[1]
        data["entries"].append(model.Definition(data.pop("term"), self.inlines(piece.inlines)))

    def figure_image(self, piece: Piece) -> None:
        self.flush()
        data = self._gather("figure", piece)
        self.images.clear()
        self.inlines(piece.inlines, pictures=True)
        if self.images:
            src, alt, title = self.images[-1]
            data["image"] = src
            data["alt"] = alt or None
            if title:  # Markdown's ![alt](file "caption")
                data["caption"] = (model.Text(title),)
            data["piece"] = piece

    def caption(self, piece: Piece) -> None:
        if self.pending and self.pending[0] == "figure" and self.pending[1].get("image") and not self.pending[1].get("caption"):
            self.pending[1]["caption"] = self.inlines(piece.inlines)
            return
        self.flush()
        self._gather("figure", piece)["caption"] = self.inlines(piece.inlines)

    def figure_description(self, piece: Piece) -> None:
        if self.pending and self.pending[0] == "figure" and self.pending[1].get("alt") is None:
            self.pending[1]["alt"] = model.plain_text(self.inlines(piece.inlines))
            return
        self.flush()
        self.paragraph(piece)

    def diagram_part(self, piece: Piece) -> None:
        data = self._gather("figure", piece)
        data.setdefault("parts", []).append(model.DiagramPart(piece.data["part"], ast.text(piece.inlines)))
        data["layout"] = "layers"

    def cycle_note(self, piece: Piece) -> None:
        if self.pending and self.pending[0] == "figure" and self.pending[1].get("layout") == "sequence":
            self.pending[1]["layout"] = "cycle"
            return
        self.flush()
        self.paragraph(piece)
