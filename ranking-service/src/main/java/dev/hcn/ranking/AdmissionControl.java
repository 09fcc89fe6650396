package dev.hcn.ranking;

import dev.hcn.ranking.RankingMetrics.ShedReason;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Bounds the ranking work in flight. A request takes one of {@link
 * AdmissionProperties#effectiveMaxConcurrent()} slots and, from a budget of candidates, as many
 * units as it scores. Without a slot it is refused at once ({@link ErrorType#OVERLOADED}); short of
 * candidate room it may wait for it, one request at a time and for at most {@link
 * AdmissionProperties#maxRoomWait()} (about one large request's time), and is refused after that.
 * There is no queue beyond that one waiting request (two that arrive at the same instant may both
 * wait), since under overload a queue only adds its wait to every admitted request; and while more
 * than a third of the recent requests were refused, none waits ({@link
 * #REFUSED_SHARE_WITHOUT_WAIT}). Requests whose deadline passed, that arrived to a full queue for a
 * thread, or that waited too long for a thread while the waits have stayed too long for a while (a
 * standing queue), are refused before any work too. The ranking flow asks twice: {@link #precheck}
 * before the request waits on its history store (refusing cheaply what would be refused anyway),
 * {@link #admit} after it, so that a request waiting on the store holds no slot. Every refusal is
 * counted by reason ({@code hcn.rank.shed}).
 */
@Component
public final class AdmissionControl {

  private final int maxConcurrent;
  private final int volumeBudget;

  /**
   * How long every queued call must have waited more than the limit before calls are shed for it: a
   * burst or a scheduler stall (GC pause, descheduled VM) makes a few calls wait, a standing queue
   * makes all of them wait; 100 ms is CoDel's interval for the same distinction.
   */
  static final long STANDING_QUEUE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private static final long NOT_ABOVE = Long.MIN_VALUE;

  /**
   * Above this share of refusals among recent requests, no request waits for room. A wait serves a
   * request that would otherwise be refused, where the room it waits for would sit idle until the
   * next arrival: worth it while demand is below what the service runs. Refusing more than one in
   * three, demand is over 1.5 times that; the next arrival takes the room moments after it frees,
   * so a wait serves no more requests and adds its length to the admitted one's latency. Compared
   * at 3x and 5x the sustainable rate, the admitted p99 fell from 40-54 ms to 26-37 ms, as many
   * requests served within the noise (docs/overload.md); with a limit of one half, 27-42 ms.
   */
  static final double REFUSED_SHARE_WITHOUT_WAIT = 1.0 / 3;

  /** The share in fixed point: {@link #SHARE_ONE} is every request refused. */
  private static final int SHARE_ONE = 1 << 16;

  /** Each decision moves the share 1/32 of the way to 0 or 1: about the last 32 requests. */
  private static final int SHARE_SHIFT = 5;

  private static final int SHARE_WITHOUT_WAIT = (int) (REFUSED_SHARE_WITHOUT_WAIT * SHARE_ONE);

  private final long maxQueueNanos;
  private final long maxRoomWaitNanos;
  private final LongSupplier clock;
  // Since when every queued call has waited more than the limit; NOT_ABOVE when the last did not.
  private final AtomicLong aboveSince = new AtomicLong(NOT_ABOVE);
  // Share of capacity refusals among recent decisions (admitted or refused), in 1/SHARE_ONE.
  private final AtomicInteger refusedShare = new AtomicInteger();
  private final Semaphore slots;
  private final Semaphore volume;
  private final RankingMetrics metrics;

  @Autowired
  public AdmissionControl(AdmissionProperties properties, RankingMetrics metrics) {
    this(properties, metrics, System::nanoTime);
  }

  AdmissionControl(AdmissionProperties properties, RankingMetrics metrics, LongSupplier clock) {
    this.clock = clock;
    this.maxConcurrent = properties.effectiveMaxConcurrent();
    // Semaphore permits are ints; a larger budget is no limit in practice.
    this.volumeBudget =
        (int) Math.min(Integer.MAX_VALUE, properties.effectiveMaxCandidatesInFlight());
    this.maxQueueNanos = properties.maxQueueWait().toNanos();
    this.maxRoomWaitNanos = properties.maxRoomWait().toNanos();
    this.slots = new Semaphore(maxConcurrent);
    // Fair when requests may wait for room: the one waiting goes first, however small the requests
    // arriving after it.
    this.volume = new Semaphore(volumeBudget, maxRoomWaitNanos > 0);
    this.metrics = metrics;
  }

  /** A limiter that admits everything, for ranking outside the serving path and for tests. */
  public static AdmissionControl unlimited(RankingMetrics metrics) {
    return new AdmissionControl(
        new AdmissionProperties(
            Integer.MAX_VALUE / 2,
            Integer.MAX_VALUE,
            java.time.Duration.ZERO,
            java.time.Duration.ZERO),
        metrics);
  }

  /**
   * Admits a request that will score {@code candidates} items, or refuses it.
   *
   * @return the admission, to be closed when the work ends (on every path)
   * @throws RankingException DEADLINE_EXCEEDED or CANCELLED when the caller is already gone,
   *     OVERLOADED when the request waited too long for a thread or no room is left
   */
  public Permit admit(RequestContext context, long candidates) {
    dropIfGone(context);
    refuseIfQueuedTooLong(context);
    if (!slots.tryAcquire()) {
      throw noSlot(context);
    }
    int weight = weight(candidates);
    if (!acquireRoom(context, weight)) {
      slots.release();
      throw noVolume(context, weight);
    }
    decided(false);
    return new Permit(weight);
  }

  /**
   * Takes {@code weight} units of the candidate budget: at once, or, with a room wait configured,
   * no other request waiting already and few recent requests refused, after waiting up to that long
   * for running requests to give units back. The wait runs {@link RequestContext#offCpu off the
   * CPU}, so a transport whose threads are sized to the cores lends a thread to the calls behind
   * it.
   */
  private boolean acquireRoom(RequestContext context, int weight) {
    if (maxRoomWaitNanos == 0) {
      return volume.tryAcquire(weight);
    }
    if (tryAcquireFairly(weight, 0)) {
      return true;
    }
    if (!mayWaitForRoom()) {
      return false;
    }
    return context.offCpu(() -> tryAcquireFairly(weight, maxRoomWaitNanos));
  }

  /** A timed acquire, which (unlike the untimed one) takes its turn behind a waiting request. */
  private boolean tryAcquireFairly(int weight, long nanos) {
    try {
      return volume.tryAcquire(weight, nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Refuses at once, before the request waits on anything (its history lookup), what {@link #admit}
   * would refuse now: a caller already gone, a queue too long, no slot or no room for its
   * candidates at this moment. Under overload that keeps a refusal cheap; passing reserves nothing.
   *
   * @throws RankingException as {@link #admit} does
   */
  public void precheck(RequestContext context, long candidates) {
    dropIfGone(context);
    refuseIfQueuedTooLong(context);
    if (slots.availablePermits() == 0) {
      throw noSlot(context);
    }
    int weight = weight(candidates);
    if (volume.availablePermits() < weight && (maxRoomWaitNanos == 0 || !mayWaitForRoom())) {
      throw noVolume(context, weight);
    }
  }

  private RankingException noSlot(RequestContext context) {
    return refuse(
        context, ShedReason.CONCURRENCY, maxConcurrent + " ranking requests are already running");
  }

  private RankingException noVolume(RequestContext context, int weight) {
    return refuse(
        context,
        ShedReason.VOLUME,
        "the candidates already being scored leave no room for " + weight + " more");
  }

  private void refuseIfQueuedTooLong(RequestContext context) {
    if (context.queueFull()) {
      throw refuse(
          context, ShedReason.QUEUE, "every thread was busy and the queue for them was full");
    }
    long queued = context.queuedNanos();
    if (maxQueueNanos > 0 && queued >= 0 && standingQueue(queued)) {
      throw refuse(
          context,
          ShedReason.QUEUE,
          "the request waited "
              + TimeUnit.NANOSECONDS.toMillis(queued)
              + " ms for a thread, more than the "
              + TimeUnit.NANOSECONDS.toMillis(maxQueueNanos)
              + " ms allowed");
    }
  }

  /** Drops a request whose caller is gone, counted as shed for its deadline. */
  private void dropIfGone(RequestContext context) {
    try {
      context.checkpoint();
    } catch (RankingException gone) {
      metrics.shed(context.api(), ShedReason.DEADLINE);
      throw gone;
    }
  }

  /**
   * Whether this wait is over the limit and every wait has been for {@link #STANDING_QUEUE_NANOS}.
   */
  private boolean standingQueue(long queued) {
    if (queued <= maxQueueNanos) {
      if (aboveSince.get() != NOT_ABOVE) {
        aboveSince.set(NOT_ABOVE);
      }
      return false;
    }
    long now = clock.getAsLong();
    long since = aboveSince.get();
    if (since == NOT_ABOVE) {
      aboveSince.compareAndSet(NOT_ABOVE, now);
      return false;
    }
    return now - since >= STANDING_QUEUE_NANOS;
  }

  /** No one waits for room already, and at most a third of the recent requests were refused. */
  private boolean mayWaitForRoom() {
    return !volume.hasQueuedThreads() && refusedShare.get() <= SHARE_WITHOUT_WAIT;
  }

  /** One request admitted, or refused for capacity. */
  private void decided(boolean refused) {
    int target = refused ? SHARE_ONE : 0;
    refusedShare.getAndUpdate(share -> share + ((target - share) >> SHARE_SHIFT));
  }

  /** The share of capacity refusals among recent requests, 0 to 1 (for tests and diagnostics). */
  double refusedShare() {
    return refusedShare.get() / (double) SHARE_ONE;
  }

  /** Free request slots now (for tests and diagnostics). */
  int availableSlots() {
    return slots.availablePermits();
  }

  /** Free units of the candidate budget now (for tests and diagnostics). */
  int availableVolume() {
    return volume.availablePermits();
  }

  /** Whether a request is waiting for candidate room now (for tests and diagnostics). */
  boolean someoneWaitsForRoom() {
    return volume.hasQueuedThreads();
  }

  /** At least one unit (the tower runs for every request), at most the whole budget. */
  private int weight(long candidates) {
    return (int) Math.max(1, Math.min(candidates, volumeBudget));
  }

  private RankingException refuse(RequestContext context, ShedReason reason, String why) {
    metrics.shed(context.api(), reason);
    decided(true);
    return new RankingException(ErrorType.OVERLOADED, "overloaded: " + why + "; retry shortly");
  }

  /** One admitted request's share; closing it gives the share back, once. */
  public final class Permit implements AutoCloseable {

    private final int weight;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private Permit(int weight) {
      this.weight = weight;
    }

    @Override
    public void close() {
      if (open.compareAndSet(true, false)) {
        volume.release(weight);
        slots.release();
      }
    }
  }
}
