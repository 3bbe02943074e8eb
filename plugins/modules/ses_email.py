#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ses_email
short_description: Send one plain-text e-mail through Amazon SES
version_added: 1.0.0
description:
  - Sends O(body) from O(sender) to O(to) with Amazon SES (C(SendEmail)). Every run sends, so call it
    only for what is new (the onboarding role sends a tester's message once, when the account is made).
  - The sender must be an identity verified in SES; while the account is in the SES sandbox, the
    recipients must be verified too (AWS's rule, not this module's).
options:
  sender:
    description: The verified address the message is from (C(Name <team@example.com>) works too).
    type: str
    required: true
  to:
    description: Recipients (1 to 50).
    type: list
    elements: str
    required: true
  reply_to:
    description: Where replies go.
    type: list
    elements: str
    default: []
  subject:
    description: Subject line.
    type: str
    required: true
  body:
    description: The message, plain text (UTF-8).
    type: str
    required: true
attributes:
  check_mode:
    support: full
    details: Sends nothing and reports C(changed=true).
  diff_mode:
    support: none
extends_documentation_fragment:
  - precedentum.deploy.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
notes:
  - "IAM: C(ses:SendEmail) on the sender's identity."
  - SES bills $0.10 per 1,000 messages (the first 3,000 a month are free for 12 months).
"""

EXAMPLES = r"""
- name: Send a tester the onboarding message
  precedentum.deploy.ses_email:
    sender: team@example.com
    to: [ada@example.com]
    subject: Your Precedentum test account
    body: "{{ lookup('ansible.builtin.file', '/home/me/.precedentum/onboarding/ada.txt') }}"
  no_log: true
"""

RETURN = r"""
message_id:
  description: SES's id of the message sent (empty in check mode).
  returned: always
  type: str
  sample: 0100018c1a2b3c4d-5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b-000000
"""

import re

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

ADDRESS_RE = re.compile(r"^(?:[^<>]*<)?[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+>?$")


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            sender=dict(type="str", required=True),
            to=dict(type="list", elements="str", required=True),
            reply_to=dict(type="list", elements="str", default=[]),
            subject=dict(type="str", required=True),
            body=dict(type="str", required=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    problems = [f"{name}: {value!r} is not an e-mail address"
                for name, values in (("sender", [p["sender"]]), ("to", p["to"]), ("reply_to", p["reply_to"]))
                for value in values if not ADDRESS_RE.match(value or "")]
    if not 1 <= len(p["to"]) <= 50:
        problems.append("to: 1 to 50 recipients")
    if not p["subject"].strip():
        problems.append("subject: empty")
    if problems:
        module.fail_json(msg="; ".join(problems))
    if module.check_mode:
        module.exit_json(changed=True, message_id="")
    client = module.client("ses")
    try:
        sent = client.send_email(
            Source=p["sender"],
            Destination={"ToAddresses": p["to"]},
            ReplyToAddresses=p["reply_to"],
            Message={"Subject": {"Data": p["subject"], "Charset": "UTF-8"},
                     "Body": {"Text": {"Data": p["body"], "Charset": "UTF-8"}}},
        )
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"SES did not send the message from {p['sender']} (is the sender verified in"
                                    " SES, and, in the SES sandbox, the recipient too?)")
    module.exit_json(changed=True, message_id=sent["MessageId"])


if __name__ == "__main__":
    main()
