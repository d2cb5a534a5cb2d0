#!/usr/bin/env python3
"""The login ceiling: bcrypt verifications per second with the C bcrypt the original uses (Debian's
python3-bcrypt), cost 12, one process per core, for SECONDS. usage: bcrypt_ceiling.py SECONDS"""
import multiprocessing as mp, sys, time, bcrypt

def worker(seconds, hashed, counts):
    end, n = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        bcrypt.checkpw(b"password123", hashed); n += 1
    counts.put(n)

if __name__ == "__main__":
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    hashed = bcrypt.hashpw(b"password123", bcrypt.gensalt(12))
    counts, procs = mp.Queue(), []
    for _ in range(mp.cpu_count()):
        p = mp.Process(target=worker, args=(seconds, hashed, counts)); p.start(); procs.append(p)
    total = sum(counts.get() for _ in procs)
    for p in procs: p.join()
    print(f"{total / seconds:.2f}")
