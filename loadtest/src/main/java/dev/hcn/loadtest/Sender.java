package dev.hcn.loadtest;

/** Sends one request without waiting; reports its outcome once, from any thread. */
interface Sender extends AutoCloseable {

  /** The outcome of one request. */
  interface Outcome {
    void ok();

    /** {@code kind}: a gRPC status code, {@code HTTP_503}, an exception's simple name. */
    void failed(String kind);
  }

  void send(long seq, Outcome outcome);

  @Override
  void close();
}
