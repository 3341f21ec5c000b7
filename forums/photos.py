"""Photos residents attach to issues: checked by Pillow, re-encoded without metadata.

A phone photo carries its GPS position and the phone's identity in EXIF; on a public page that tells
where a resident lives. So a photo is decoded and saved again from its pixels alone, which also
means that a file that merely claims to be an image is refused.
"""

import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from forums.exceptions import InvalidPhoto

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
# Photos are shown on phones: a longer side of 1600 pixels is sharp there and small to send.
LONGEST_SIDE = 1600
FORMATS = {"JPEG", "PNG", "WEBP"}


def checked_photo(upload: UploadedFile) -> ContentFile[bytes]:
    """The upload as a JPEG of its pixels alone, or InvalidPhoto with the reason."""
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise InvalidPhoto(_("The photo is larger than 5 MB; take it again at a lower resolution."))
    data = upload.read()
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidPhoto(_("The photo is larger than 5 MB; take it again at a lower resolution."))
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
    return ContentFile(out.getvalue(), name="photo.jpg")
