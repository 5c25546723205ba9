"""What the simulated API accepts in a submit body: the reference's rules, refused in its words."""

from __future__ import annotations

from typing import Any

from kontext.models import ASPECT_RATIOS, IMAGE_URL_FIELD, MODES, OUTPUT_FORMATS, PROMPT_MAX_CHARS, SAFETY_TOLERANCES

_FLAGS = ("promptUpsampling", "enableTranslation", "uploadCn")


def validate_submit(body: Any) -> str | None:
    """What the API would reject in a submit body, in its words, or None when the body is acceptable."""
    if not isinstance(body, dict):
        return "request body must be a JSON object"
    request_type = body.get("request_type")
    if request_type not in ("async", "callback"):
        return "request_type must be async or callback"
    callback_url = body.get("callback_url")
    if callback_url is not None and not (isinstance(callback_url, str) and callback_url.startswith("http")):
        return "callback_url must be an http(s) URL"
    if request_type == "callback" and callback_url is None:
        return "callback_url is required when request_type is callback"
    data = body.get("input")
    if not isinstance(data, dict):
        return "input is required"
    prompt = data.get("prompt")
    checks: tuple[tuple[bool, str], ...] = (
        (data.get("mode") in MODES, f"mode must be one of {', '.join(MODES)}"),
        (isinstance(prompt, str) and bool(prompt.strip()), "prompt is required"),
        (not isinstance(prompt, str) or len(prompt) <= PROMPT_MAX_CHARS, f"prompt exceeds {PROMPT_MAX_CHARS} chars"),
        (data.get("aspect_ratio") in ASPECT_RATIOS, f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}"),
        (data.get("output_format", "jpeg") in OUTPUT_FORMATS, "output_format must be jpeg or png"),
        (
            data.get("safetyTolerance", 2) in SAFETY_TOLERANCES and not isinstance(data.get("safetyTolerance"), bool),
            "safetyTolerance must be 0, 1 or 2",
        ),
        (
            all(isinstance(data.get(name, False), bool) for name in _FLAGS),
            "promptUpsampling, enableTranslation and uploadCn must be booleans",
        ),
        (isinstance(data.get("watermark", ""), str), "watermark must be a string"),
    )
    for ok, problem in checks:
        if not ok:
            return problem
    image_url = data.get(IMAGE_URL_FIELD)
    if image_url is not None and not (isinstance(image_url, str) and image_url.startswith(("http://", "https://"))):
        return f"{IMAGE_URL_FIELD} must be an http(s) URL"
    return None
