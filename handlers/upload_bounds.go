package handlers

import (
	"time"

	"github.com/aelab/aelab/datasets"
)

// What one upload may consume. Uploads are admitted by the session
// manager's door like any other work (session.WorkUpload): the address's
// rate token before the body is read, then the parse's memory estimate
// (uploadParseMemory) and a turn of the one CPU pool (at most
// uploadWaitMax away); the body itself is bounded in size (maxUploadBody)
// and in time (uploadDeadline).
const (
	// maxUploadBody bounds an upload's body: the largest CSV file the
	// datasets package accepts plus room for the other fields and the
	// multipart framing.
	maxUploadBody = datasets.MaxCSVBytes + 1<<20
	uploadWaitMax = 20 * time.Second // a parse waits this long for a CPU turn, then 503
	// uploadMinRate is the slowest body transfer an upload is given time
	// for: its read deadline is 10 s plus its size at this rate (32 MiB:
	// about 4.5 minutes, 100 KiB: 11 s).
	uploadMinRate = 128 << 10 // bytes per second
)

// uploadParseMemory estimates the bytes parsing a CSV file of size bytes
// holds at peak: its values as float32 (at most one per two bytes of text)
// and the parser's buffers.
func uploadParseMemory(size int64) int64 { return 4*size + 16<<20 }

// uploadDeadline is how long the body of an upload of n bytes may take to
// arrive (n < 0: unknown, the largest allowed).
func uploadDeadline(n int64) time.Duration {
	if n < 0 || n > maxUploadBody {
		n = maxUploadBody
	}
	return 10*time.Second + time.Duration(n)*time.Second/uploadMinRate
}
