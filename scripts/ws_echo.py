#!/usr/bin/env python3
"""WebSocket echo pair for make-captures.sh (loopback only).

Usage: ws_echo.py server PORT   -- replies "resp: <message>"
       ws_echo.py client PORT   -- sends 3 messages, one ping, close(1000)
compression=None on both sides so payloads are readable in the capture.
"""
import asyncio
import sys

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve


async def handler(ws):
    async for msg in ws:
        await ws.send(f"resp: {msg}")


async def server(port):
    async with serve(handler, "127.0.0.1", port, compression=None,
                     ping_interval=None) as srv:
        await asyncio.sleep(15)  # bounded lifetime; killed earlier by PID


async def client(port):
    async with connect(f"ws://127.0.0.1:{port}/chat", compression=None,
                       ping_interval=None, open_timeout=5) as ws:
        for m in ("hello", "how are you?", "bye"):
            await ws.send(m)
            print(await asyncio.wait_for(ws.recv(), 5))
        pong = await ws.ping(b"tcpdialog")
        await asyncio.wait_for(pong, 5)
        print("pong received")
        await ws.close(1000)


if __name__ == "__main__":
    mode, port = sys.argv[1], int(sys.argv[2])
    asyncio.run(server(port) if mode == "server" else client(port))
