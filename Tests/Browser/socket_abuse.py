"""Abuses the page's WebSocket: 100 clients at once, one that floods requests and never reads,
malformed frames and a frame over the size limit; then checks that a new client still gets
an answer at once. Prints what it saw as one JSON line. With a second argument, SECONDS, it
keeps the 100 clients (and the one that never reads) for that long and repeats the rest, for a
latency harness to measure meanwhile."""
import asyncio
import json
import sys
import time

from websockets.asyncio.client import connect

url = sys.argv[1]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0


async def reply(socket):
    while True:
        message = json.loads(await socket.recv())
        if "id" in message or "error" in message:
            return message


async def main():
    seen = {}
    clients = [await connect(url) for _ in range(100)]
    for client in clients:
        await client.recv()  # hello
    for n, client in enumerate(clients):
        await client.send(json.dumps({"id": n, "cmd": "subscribe", "topics": ["notes", "params", "xruns"]}))
    seen["subscribed"] = sum([(await reply(client)).get("ok") is True for client in clients])

    # Floods requests and never reads what comes back.
    silent = await connect(url, max_queue=1)
    for n in range(1000):
        await silent.send(json.dumps({"id": n, "cmd": "status"}))

    deadline = time.time() + seconds
    rounds = 0
    while True:
        probe = await connect(url)
        await probe.recv()
        await probe.send("{not json")
        seen["not_json"] = (await reply(probe))["error"]["code"]
        await probe.send(json.dumps({"id": "x", "cmd": "jump"}))
        seen["unknown"] = (await reply(probe))["error"]["code"]
        await probe.send(b"\x00\x01\x02")  # binary: not the protocol; ignored
        await probe.send(json.dumps({"id": 7, "cmd": "ping"}))
        seen["after_binary"] = (await reply(probe)).get("result")
        try:
            await probe.send("x" * 70000)  # over the 64 KiB frame limit: the server closes
            await asyncio.wait_for(probe.recv(), 5)
            seen["oversized"] = "answered"
        except Exception as error:
            seen["oversized"] = type(error).__name__

        started = time.time()
        fresh = await connect(url)
        await fresh.recv()
        await fresh.send(json.dumps({"id": 1, "cmd": "ping"}))
        seen["fresh"] = (await reply(fresh)).get("result")
        seen["fresh_ms"] = round((time.time() - started) * 1000, 1)
        await fresh.close()
        rounds += 1
        if time.time() >= deadline:
            break
        for n in range(200):
            await asyncio.wait_for(silent.send(json.dumps({"id": n, "cmd": "status"})), 5)
        await asyncio.sleep(0.2)
    seen["rounds"] = rounds
    for client in clients:
        await client.close()
    print(json.dumps(seen))


asyncio.run(main())
