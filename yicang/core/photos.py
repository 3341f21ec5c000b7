"""Photos people upload: checked by Pillow, and kept as a JPEG of their pixels alone.

A phone photo carries its GPS position and the phone's identity in EXIF. On an issue's public page that
tells where a resident lives; on a delivery's proof it tells where a family lives to whoever opens the
file later. So a photo is decoded and saved again from its pixels alone, upright and at most
LONGEST_SIDE pixels long, which also means that a file that merely claims to be an image is refused.
"""

import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from yicang.core.exceptions import DomainError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 64_000_000  # a 48-megapixel phone's photo passes; a decompression bomb does not
# Photos are looked at on phones: a longer side of 1600 pixels is sharp there and small to send.
LONGEST_SIDE = 1600
# MPO is the JPEG some phones write with a second, depth image inside; its first image is the photo.
FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}


class InvalidPhoto(DomainError):
    code = "invalid_photo"


def checked_photo(upload: UploadedFile, *, name: str, max_bytes: int = MAX_PHOTO_BYTES) -> ContentFile[bytes]:
    """The upload as a JPEG of its pixels alone, named `name`, or InvalidPhoto with the reason."""
    too_large = _("The photo is larger than %(mb)s MB; take it again at a lower resolution.") % {
        "mb": max_bytes // 2**20
    }
    if upload.size is not None and upload.size > max_bytes:
        raise InvalidPhoto(too_large)
    upload.seek(0)
    data = upload.read()
    if len(data) > max_bytes:
        raise InvalidPhoto(too_large)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise InvalidPhoto(_("Send a JPEG, PNG or WebP photo."))
            if probe.width * probe.height > MAX_PHOTO_PIXELS:
                raise InvalidPhoto(_("The photo has too many pixels; take it again at a lower resolution."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise InvalidPhoto(_("This file is not a photo that can be opened.")) from error
    upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name=name)
