#!/usr/bin/env python3
"""A smart-HTTP git server on the loopback for relkit's push tests: git's own git-http-backend
(CGI) behind basic authentication. Serves the bare repositories under ROOT; every request must
carry USER:TOKEN. Prints the port it listens on, then serves until killed. With `hang-up`, it
reads a push's pack and then drops the connection without an answer: a server that dies mid-push.

    git_http_server.py ROOT USER TOKEN [hang-up]
"""
import base64
import http.server
import os
import subprocess
import sys

ROOT, USER, TOKEN = sys.argv[1], sys.argv[2], sys.argv[3]
HANG_UP = sys.argv[4:] == ["hang-up"]
EXPECTED = "Basic " + base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
BACKEND = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True).stdout.strip() + "/git-http-backend"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def serve(self):
        data = self.body() if self.command == "POST" else b""
        scheme, _, credentials = (self.headers.get("Authorization") or "").partition(" ")
        # The scheme is case-insensitive (actions/checkout writes "AUTHORIZATION: basic ...").
        if scheme.lower() + " " + credentials.strip() != "basic " + EXPECTED.split(" ", 1)[1]:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="relkit-test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        if HANG_UP and self.command == "POST" and path.endswith("/git-receive-pack"):
            self.close_connection = True
            self.connection.shutdown(2)
            return
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": ROOT, "GIT_HTTP_EXPORT_ALL": "1", "REMOTE_USER": USER,
            "REQUEST_METHOD": self.command, "PATH_INFO": path, "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(data)),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
        }
        result = subprocess.run([BACKEND], input=data, capture_output=True, env=env)
        head, _, payload = result.stdout.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.split(b"\r\n"):
            name, _, value = line.decode().partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = serve
    do_POST = serve


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
