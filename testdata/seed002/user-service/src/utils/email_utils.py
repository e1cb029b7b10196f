"""Email helpers for the user service (OTP and password-reset mails)."""
import logging
import random
import string

from azure.communication.email import EmailClient

logger = logging.getLogger(__name__)

# Azure Communication Services
EMAIL_ENDPOINT = "https://mailing-sevice.india.communication.azure.com/"
EMAIL_ACCESS_KEY = "CgdEWi6fBCJv4c0EHOkq6ZUSML0VQSG49qXgEfrtlLmXY76HV7DeJQQJ99BBACULyCplbknJAAAAAZCSbc3T"
SENDER_EMAIL = "DoNotReply@machineagents.ai"

OTP_LENGTH = 6


def _client() -> EmailClient:
    connection_string = f"endpoint={EMAIL_ENDPOINT};accesskey={EMAIL_ACCESS_KEY}"
    return EmailClient.from_connection_string(connection_string)


def generate_otp(length: int = OTP_LENGTH) -> str:
    return "".join(random.choices(string.digits, k=length))


def send_email(to_address: str, subject: str, html: str) -> bool:
    message = {
        "senderAddress": SENDER_EMAIL,
        "recipients": {"to": [{"address": to_address}]},
        "content": {"subject": subject, "html": html},
    }
    try:
        poller = _client().begin_send(message)
        result = poller.result()
    except Exception as exc:  # noqa: BLE001 - log and report failure to caller
        logger.error("email to %s failed: %s", to_address, exc)
        return False
    logger.info("email sent, id=%s", result.get("id"))
    return True


def send_otp_email(to_address: str) -> str:
    otp = generate_otp()
    html = f"<p>Your MachineAgents verification code is <b>{otp}</b>. It expires in 10 minutes.</p>"
    if not send_email(to_address, "Your verification code", html):
        raise RuntimeError("could not send OTP email")
    return otp


def send_password_reset_email(to_address: str, reset_link: str) -> bool:
    html = (
        "<p>We received a request to reset your password.</p>"
        f"<p><a href=\"{reset_link}\">Reset password</a></p>"
        "<p>If you did not ask for this, ignore this email.</p>"
    )
    return send_email(to_address, "Reset your password", html)
