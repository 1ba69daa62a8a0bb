package gmp.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scheduler's global state, Go's {@code schedt} (runtime2.go): the idle P and idle M lists and
 * their counts, and the lock that protects them ({@code sched.lock}). Chapter 03 adds the global
 * run queue, chapter 02 the global free list of dead Gs.
 *
 * <p>Fields marked "under lock" are read and written only while holding {@link #lock}. Counters
 * Go reads without the lock ({@code npidle}, {@code goidgen}) are atomics, read with volatile loads.
 */
final class Sched {
    /** Go's sched.lock: an M blocks on it (a runtime lock, with no owner: see RuntimeMutex). */
    final RuntimeMutex lock = new RuntimeMutex();

    /** The next M id (Go's mnext); under lock. m0 gets 0. */
    long mnext;
    /** Idle Ms, linked through M.schedlink; under lock. */
    M midle;
    /** Number of idle Ms; under lock. */
    int nmidle;

    /** Idle Ps, linked through P.link; under lock. */
    P pidle;
    /** Number of idle Ps; written under lock, read anywhere. */
    final AtomicInteger npidle = new AtomicInteger();

    /** The global run queue, linked through G.schedlink, and its length (Go: sched.runq, runqsize); under lock. */
    G runqhead;
    G runqtail;
    int runqsize;

    /** Guards the global free list of dead Gs (Go: sched.gFree.lock, a lock of its own). */
    final RuntimeMutex gFreeLock = new RuntimeMutex();
    /** Dead Gs spilled from the Ps' free lists, linked through schedlink, and their count; under gFreeLock. */
    G gFree;
    int gFreeN;

    /**
     * The number of spinning Ms: Ms that hold a P and look for work to steal (Go: nmspinning).
     * Changed only with atomic read-modify-writes, which are the StoreLoad barriers the spinning
     * protocol needs (see Proc.findRunnable).
     */
    final AtomicInteger nmspinning = new AtomicInteger();
    /** 1 when a spinning M found work but no idle P to hand it to (Go: needspinning). */
    final AtomicInteger needspinning = new AtomicInteger();

    /**
     * When an M last finished polling the network, or 0 while one is blocked in netpoll (Go:
     * lastpoll). Swapping it to 0 is how one M, and only one, claims the blocking poll.
     */
    final AtomicLong lastpoll = new AtomicLong();
    /** Until when the M in netpoll sleeps, or 0 (Go: pollUntil). */
    volatile long pollUntil;
    /** What the M in netpoll sleeps on until chapter 08 brings a Selector (netpollBreak wakes it). */
    final Note pollNote = new Note();

    /** Whether sysmon is in its deep sleep on its note (Go: sysmonwait); written under lock. */
    volatile boolean sysmonwait;

    /**
     * Ms to count as running although they are idle (Go: nmidlelocked). sysmon lowers it by one while
     * it retakes a P from a syscall (chapter 07), so that checkdead cannot see every M idle while the
     * P it took is on its way to a new M; under lock.
     */
    int nmidlelocked;
    /**
     * The most Ms a program may have (Go: sched.maxmcount = 10000, debug.SetMaxThreads): a program
     * that blocks in more syscalls at once than this dies with "thread exhaustion"; under lock.
     */
    int maxmcount = 10_000;

    /** The last goid handed out (Go's goidgen): main gets 1. */
    final AtomicLong goidgen = new AtomicLong();
}
