package conversation

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/server/internal/storage"
	"github.com/kefu-io/kefu/tenants"
)

// MaxAttachmentBytes bounds one uploaded file.
const MaxAttachmentBytes = 10 << 20

// allowedTypes are the content types accepted for attachments: images, PDF, plain
// text and office documents. Anything else (HTML, scripts, executables) is refused,
// since a stored file is later served back under our origin.
var allowedTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain": true, "text/csv": true,
	"application/zip":    true,
	"application/msword": true, "application/vnd.openxmlformats-officedocument.wordprocessingml.document": true,
	"application/vnd.ms-excel": true, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true,
	"application/vnd.ms-powerpoint": true, "application/vnd.openxmlformats-officedocument.presentationml.presentation": true,
}

// AttachmentStore records uploaded files.
type AttachmentStore interface {
	CreateAttachment(ctx context.Context, tenantID, channelID uuid.UUID, a *Attachment) error
	GetAttachment(ctx context.Context, id uuid.UUID) (Attachment, uuid.UUID, error)
}

// Files stores attachments: bytes in Blobs, the record in the tenant's database.
type Files struct {
	Blobs storage.Blobs
	Store AttachmentStore
}

var (
	ErrFileTooLarge = errs.New(errs.TooLarge, "attachment.too-large", "The file is larger than 10 MB.").WithField("file")
	ErrFileType     = errs.New(errs.Unprocessable, "attachment.type", "This type of file is not accepted.").WithField("file")
)

// Save stores an upload for a later message of the channel. The declared content
// type is checked against the file's first bytes, so a script cannot pass as an image.
func (f *Files) Save(ctx context.Context, channelID uuid.UUID, uploader, name, declared string, r io.Reader) (Attachment, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Attachment{}, err
	}
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" || name == "" {
		name = "file"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Attachment{}, err
	}
	head = head[:n]
	if n == 0 {
		return Attachment{}, errs.Invalidf("file", "the file is empty")
	}
	ct := contentType(name, declared, head)
	if !allowedTypes[ct] {
		return Attachment{}, ErrFileType
	}
	key, size, err := f.Blobs.Put(ctx, tid.String(), io.MultiReader(bytes.NewReader(head), r), MaxAttachmentBytes)
	if errors.Is(err, storage.ErrTooLarge) {
		return Attachment{}, ErrFileTooLarge
	}
	if err != nil {
		return Attachment{}, err
	}
	a := Attachment{ID: newID(), Name: name, ContentType: ct, Size: size, StorageKey: key, Uploader: uploader}
	if err := f.Store.CreateAttachment(ctx, tid, channelID, &a); err != nil {
		_ = f.Blobs.Delete(ctx, key)
		return Attachment{}, err
	}
	return a, nil
}

// contentType trusts the sniffed type for images and PDFs (the formats browsers
// render inline) and otherwise the declared or extension type when sniffing agrees it
// is not something else that renders.
func contentType(name, declared string, head []byte) string {
	sniffed := http.DetectContentType(head)
	base, _, _ := mime.ParseMediaType(sniffed)
	if strings.HasPrefix(base, "image/") || base == "application/pdf" || base == "application/zip" {
		if base == "application/zip" {
			// Office documents are zip files: keep the more precise declared type.
			if d, _, _ := mime.ParseMediaType(declared); strings.Contains(d, "openxmlformats") {
				return d
			}
			if e := mime.TypeByExtension(path.Ext(name)); strings.Contains(e, "openxmlformats") {
				return e
			}
		}
		return base
	}
	if base == "text/html" || base == "text/xml" {
		return base // refused by allowedTypes
	}
	d, _, _ := mime.ParseMediaType(declared)
	if d == "" || d == "application/octet-stream" {
		d, _, _ = mime.ParseMediaType(mime.TypeByExtension(path.Ext(name)))
	}
	if d == "" {
		return base
	}
	if strings.HasPrefix(d, "image/") || d == "application/pdf" {
		return base // claims to be something it is not
	}
	return d
}

// Open returns an attachment of the context's tenant and its bytes.
func (f *Files) Open(ctx context.Context, id uuid.UUID) (Attachment, io.ReadCloser, error) {
	a, _, err := f.Store.GetAttachment(ctx, id)
	if err != nil {
		return Attachment{}, nil, err
	}
	if a.StorageKey == "" {
		return a, nil, nil // linked, not stored
	}
	rc, err := f.Blobs.Open(ctx, a.StorageKey)
	if errors.Is(err, storage.ErrNotFound) {
		return Attachment{}, nil, ErrMessageNotFound.WithMessage("The attachment's file is missing.")
	}
	return a, rc, err
}

// ChannelOf returns the channel an attachment was uploaded to.
func (f *Files) ChannelOf(ctx context.Context, id uuid.UUID) (uuid.UUID, error) {
	_, ch, err := f.Store.GetAttachment(ctx, id)
	return ch, err
}
