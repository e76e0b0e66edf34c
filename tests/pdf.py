"""Reading what a PDF made by fpdf2 draws, for tests: its page streams, inflated."""
import re
import zlib


def pdf_text(body: bytes) -> str:
    """The text drawn in the PDF: its compressed streams opened (not the file's other bytes, whose random document
    id could hold any digits)."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            out.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(out)
