package gmp.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The runtime's own lock, Go's {@code mutex} (runtime2.go) with {@code lock2}/{@code unlock2} of
 * {@code lock_futex.go} (Go 1.23): {@code sched.lock}, {@code sched.gFree.lock}, a P's timers lock.
 * A thread that finds it held spins a little, then yields, then sleeps until an unlock wakes it.
 *
 * <h2>Why not a {@code ReentrantLock}</h2>
 * Go's runtime mutex has no owner: whoever holds it may release it, and nothing about the holder is
 * remembered. That matters here because goroutine code takes these locks (goready, wakep and startm
 * run on the waker's stack), and a goroutine's frames may move to another thread at any park. A
 * {@code ReentrantLock} records {@code Thread.currentThread()} in lock and compares it in unlock, and
 * C2, which compiles a goroutine's loop as if it stayed on one thread, may reuse a current thread
 * it read before a continuation yield: seen in a JMH ping-pong, an IllegalMonitorStateException in
 * wakep's unlock, and a hang with sched.lock "owned" by an M asleep in stopm. This lock keeps no
 * thread between calls: its state is one int, and a sleeping thread is found through the waiter
 * entry it queued itself, which only the waking side reads.
 *
 * <h2>The algorithm (lock_futex.go)</h2>
 * {@link #key} is {@code MUTEX_UNLOCKED}, {@code MUTEX_LOCKED}, or {@code MUTEX_SLEEPING}: locked,
 * and some thread may be asleep waiting for it. lock swaps in LOCKED (the fast path); when that finds
 * the lock held it spins {@link #ACTIVE_SPIN} rounds of {@link #ACTIVE_SPIN_CNT} pauses, yields the
 * thread {@link #PASSIVE_SPIN} time, then swaps in SLEEPING and, if the lock was still held, sleeps
 * (Go: futexsleep) and starts over. A thread that has slept takes the lock as SLEEPING, never as
 * LOCKED, since others may still sleep. unlock swaps in UNLOCKED and, if it took away SLEEPING, wakes
 * one sleeper (Go: futexwakeup). Java has no futex, so {@link #sleepers} plays its kernel queue: a
 * sleeper queues itself, then checks the key is still SLEEPING (both volatile: the unlocker's swap and
 * poll cannot both miss it), and sleeps until woken. A sleeper woken after it has already given up
 * sleeping only takes a wake-up another sleeper did not need: whoever gets the lock next holds it as
 * SLEEPING and wakes the next one in turn.
 */
final class RuntimeMutex {
    static final int MUTEX_UNLOCKED = 0;
    static final int MUTEX_LOCKED = 1;
    static final int MUTEX_SLEEPING = 2;
    /** Spinning rounds before yielding (Go: active_spin = 4); on one CPU Go does not spin at all. */
    static final int ACTIVE_SPIN = Runtime.getRuntime().availableProcessors() > 1 ? 4 : 0;
    /** Pauses per spinning round (Go: active_spin_cnt = 30 PAUSE instructions). */
    static final int ACTIVE_SPIN_CNT = 30;
    /** Thread yields before sleeping (Go: passive_spin = 1). */
    static final int PASSIVE_SPIN = 1;

    private static final VarHandle KEY;
    // Not final on purpose, as in M.current: a call the JIT cannot inline computes the thread afresh
    // in its own frame, never reusing one read before a yield of the goroutine that called lock.
    private static MethodHandle currentThread;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            KEY = l.findVarHandle(RuntimeMutex.class, "key", int.class);
            currentThread = l.findStatic(Thread.class, "currentThread", MethodType.methodType(Thread.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Go's l.key; accessed through KEY with the mode written at each use. */
    @SuppressWarnings("unused")
    private volatile int key;
    /** The threads asleep in lock, or about to be (Go: the futex's kernel wait queue). */
    private final ConcurrentLinkedQueue<Sleeper> sleepers = new ConcurrentLinkedQueue<>();

    /** One sleeping thread: queued by itself, woken (and dequeued) by an unlock. */
    private static final class Sleeper {
        final Thread thread;
        volatile boolean woken;

        Sleeper(Thread thread) {
            this.thread = thread;
        }
    }

    /** Takes the lock, waiting as long as it takes (Go: lock/lock2). */
    void lock() {
        int v = (int) KEY.getAndSet(this, MUTEX_LOCKED); // volatile swap: acquires the last unlock's writes
        if (v == MUTEX_UNLOCKED) {
            return;
        }
        // If the key was SLEEPING, our swap replaced it with LOCKED: we must put SLEEPING back when we
        // take the lock, or the sleeper would miss its wake-up (Go: "wait").
        int wait = v;
        for (;;) {
            for (int i = 0; i < ACTIVE_SPIN; i++) {
                if (tryLock(wait)) {
                    return;
                }
                for (int j = 0; j < ACTIVE_SPIN_CNT; j++) {
                    Thread.onSpinWait();
                }
            }
            for (int i = 0; i < PASSIVE_SPIN; i++) {
                if (tryLock(wait)) {
                    return;
                }
                Thread.yield();
            }
            v = (int) KEY.getAndSet(this, MUTEX_SLEEPING);
            if (v == MUTEX_UNLOCKED) {
                return;
            }
            wait = MUTEX_SLEEPING;
            futexsleep();
        }
    }

    /** While the lock looks free, tries to take it as {@code wait}; true once held. */
    private boolean tryLock(int wait) {
        while ((int) KEY.getVolatile(this) == MUTEX_UNLOCKED) {
            if (KEY.compareAndSet(this, MUTEX_UNLOCKED, wait)) {
                return true;
            }
        }
        return false;
    }

    /** Sleeps while the key is SLEEPING, until an unlock wakes this thread (Go: futexsleep(key, SLEEPING, -1)). */
    private void futexsleep() {
        Sleeper s = new Sleeper(thisThread());
        sleepers.add(s); // volatile write: an unlocker that swaps the key after it sees us
        if ((int) KEY.getVolatile(this) != MUTEX_SLEEPING) {
            sleepers.remove(s);
            return;
        }
        while (!s.woken) {
            LockSupport.park();
        }
    }

    /** Releases the lock; anyone may, as in Go (Go: unlock/unlock2). Unlocking a free lock is fatal. */
    void unlock() {
        int v = (int) KEY.getAndSet(this, MUTEX_UNLOCKED); // volatile swap: releases our writes
        if (v == MUTEX_UNLOCKED) {
            throw new IllegalStateException("unlock of unlocked lock");
        }
        if (v == MUTEX_SLEEPING) {
            Sleeper s = sleepers.poll();
            if (s != null) {
                s.woken = true;
                LockSupport.unpark(s.thread);
            }
        }
    }

    /**
     * Whether someone holds the lock. Go's assertLockHeld asks whether <em>this M</em> holds it, which
     * needs an owner; an ownerless lock can only say that <em>somebody</em> does, which still catches
     * a caller that forgot to lock.
     */
    boolean isLocked() {
        return (int) KEY.getVolatile(this) != MUTEX_UNLOCKED;
    }

    private static Thread thisThread() {
        try {
            return (Thread) currentThread.invokeExact();
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }
}
