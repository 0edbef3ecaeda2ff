#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A minimal Alertmanager webhook receiver for the tests.

usage: webhook_receiver.py PORT OUTFILE
Listens on 127.0.0.1:PORT; for every alert in every notification it appends
one JSON line to OUTFILE: {"receiver": <path>, "status", "alertname",
"instance", "severity"}. The path names the receiver (/pager, /chat).
"""
import http.server
import json
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        # One line per alert, each with the number of the notification that
        # carried it: a test can count pages, not only alerts.
        self.server.notifications = getattr(self.server, "notifications", 0) + 1
        with open(self.server.outfile, "a") as out:
            for alert in body.get("alerts", []):
                labels = alert.get("labels", {})
                out.write(json.dumps({
                    "receiver": self.path.strip("/"),
                    "status": alert.get("status"),
                    "alertname": labels.get("alertname"),
                    "instance": labels.get("instance"),
                    "severity": labels.get("severity"),
                    "notification": self.server.notifications,
                    "group_key": body.get("groupKey"),
                }) + "\n")
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.outfile = sys.argv[2]
    server.serve_forever()


if __name__ == "__main__":
    main()
