using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Social.Api.Observability;

/// <summary>
/// The server's response body, counting the bytes written through it: JSON answers are chunked,
/// so their length is known only once written.
/// </summary>
sealed class CountingResponseBody(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
{
    CountingWriter? _writer;
    Stream? _stream;
    long _filesSent;

    public long BytesSent => (_writer?.Bytes ?? 0) + _filesSent;

    public PipeWriter Writer => _writer ??= new CountingWriter(inner.Writer);

    public Stream Stream => _stream ??= Writer.AsStream(leaveOpen: true);

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task CompleteAsync() => inner.CompleteAsync();

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        _filesSent += count ?? new FileInfo(path).Length - offset;
        return inner.SendFileAsync(path, offset, count, cancellationToken);
    }

    sealed class CountingWriter(PipeWriter inner) : PipeWriter
    {
        public long Bytes { get; private set; }

        public override void Advance(int bytes)
        {
            Bytes += bytes;
            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            Bytes += source.Length;
            return inner.WriteAsync(source, cancellationToken);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;
        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
