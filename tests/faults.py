"""A byte-level fault proxy for serial tests: sits between the harness and a device's port and
flips, drops or duplicates bytes in both directions (each a third of `rate`), optionally
delaying some reads; seeded, and it counts what it injects."""
import random
import time


class FaultProxy:
    def __init__(self, port, rate, seed, delay_prob=0.0, delay_s=0.02):
        self.port, self.rate, self.rnd = port, rate, random.Random(seed)
        self.delay_prob, self.delay_s = delay_prob, delay_s
        self.injected = 0

    def _mangle(self, data):
        out = bytearray()
        for b in data:
            r = self.rnd.random()
            if r >= self.rate:
                out.append(b)
                continue
            self.injected += 1
            if r < self.rate / 3:
                out.append(b ^ (1 << self.rnd.randrange(8)))     # flip one bit
            elif r >= 2 * self.rate / 3:
                out += bytes([b, b])                             # duplicate
            # else: dropped
        return bytes(out)

    def write(self, data):
        return self.port.write(self._mangle(data))

    def read(self, n=1):
        if self.delay_prob and self.rnd.random() < self.delay_prob:
            time.sleep(self.delay_s)
        return self._mangle(self.port.read(n))

    def __getattr__(self, name):
        return getattr(self.port, name)
