package dev.hcn.api.grpc;

import io.grpc.Codec;
import io.grpc.Decompressor;
import io.grpc.DecompressorRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * gzip for request messages, read only when the message is parsed. gRPC's own gzip reads the gzip
 * header as it hands the message over, before any service code runs, and answers a broken header
 * with UNKNOWN. Deferred to the first read, the failure reaches {@link MalformedRequests}, which
 * answers it as the caller's malformed input. Decompression is otherwise gRPC's: same format, same
 * inbound size limit on the decompressed bytes.
 */
final class LazyGzip implements Decompressor {

  /** gzip (advertised) and identity, as gRPC's default registry has them. */
  static DecompressorRegistry registry() {
    return DecompressorRegistry.emptyInstance()
        .with(Codec.Identity.NONE, false)
        .with(new LazyGzip(), true);
  }

  @Override
  public String getMessageEncoding() {
    return "gzip";
  }

  @Override
  public InputStream decompress(InputStream compressed) {
    return new InputStream() {
      private InputStream gzip;

      private InputStream gzip() throws IOException {
        if (gzip == null) {
          gzip = new GZIPInputStream(compressed);
        }
        return gzip;
      }

      @Override
      public int read() throws IOException {
        return gzip().read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return gzip().read(b, off, len);
      }

      /** 0 until the first read, which the contract allows: asking must not read the header. */
      @Override
      public int available() throws IOException {
        return gzip == null ? 0 : gzip.available();
      }

      @Override
      public void close() throws IOException {
        if (gzip != null) {
          gzip.close();
        } else {
          compressed.close();
        }
      }
    };
  }
}
