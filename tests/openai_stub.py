"""A real local HTTP server that speaks the OpenAI chat-completions protocol (tool calls and streaming)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class OpenAIStub:
    """Serves scripted replies: a str is a text answer, a (name, args) pair a tool call."""

    def __init__(self, replies, model="stub-model"):
        self.replies, self.model, self.requests = list(replies), model, []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path.rstrip("/").endswith("/models"):
                    self._json({"object": "list", "data": [{"id": stub.model, "object": "model"}]})
                else:
                    self.send_error(404)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append(body)
                reply = stub.replies.pop(0) if stub.replies else "(no more scripted replies)"
                if body.get("stream"):
                    self._stream(reply)
                else:
                    self._json(stub.completion(reply))

            def _json(self, obj, status=200):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, reply):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for chunk in stub.chunks(reply):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _wrap(self, choice, obj="chat.completion"):
        return {"id": "chatcmpl-stub", "object": obj, "created": 0, "model": self.model, "choices": [choice]}

    def completion(self, reply):
        if isinstance(reply, str):
            message, finish = {"role": "assistant", "content": reply}, "stop"
        else:
            name, args = reply
            message = {"role": "assistant", "content": None, "tool_calls": [
                {"id": f"call_{len(self.requests)}", "type": "function",
                 "function": {"name": name, "arguments": json.dumps(args)}}]}
            finish = "tool_calls"
        return {**self._wrap({"index": 0, "message": message, "finish_reason": finish}),
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}

    def chunks(self, reply):
        def chunk(delta, finish=None):
            return self._wrap({"index": 0, "delta": delta, "finish_reason": finish}, "chat.completion.chunk")

        if isinstance(reply, str):
            yield chunk({"role": "assistant", "content": ""})
            for i in range(0, len(reply), 8):
                yield chunk({"content": reply[i:i + 8]})
            yield chunk({}, "stop")
            return
        name, args = reply
        arguments = json.dumps(args)
        yield chunk({"role": "assistant", "content": None, "tool_calls": [
            {"index": 0, "id": f"call_{len(self.requests)}", "type": "function",
             "function": {"name": name, "arguments": ""}}]})
        for i in range(0, len(arguments), 5):
            yield chunk({"tool_calls": [{"index": 0, "function": {"arguments": arguments[i:i + 5]}}]})
        yield chunk({}, "tool_calls")
