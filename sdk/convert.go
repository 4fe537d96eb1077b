package sdk

import (
	"errors"
	"time"

	pb "github.com/kefu-io/kefu/sdk/internal/proto"
)

// Conversions between the public Go types and their wire form. Empty maps and
// slices arrive as nil: proto3 cannot tell them apart, and no caller should care.

// remoteError is an error returned by the other process. It keeps the original
// message when that differs from the structured cause it carries (a wrapped
// ConfigErrors), so errors.As still finds the cause.
type remoteError struct {
	msg   string
	cause error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.cause }

func errorToProto(err error) *pb.Error {
	if err == nil {
		return nil
	}
	e := &pb.Error{Message: err.Error()}
	if IsPermanent(err) {
		e.Kind = pb.ErrorKind_ERROR_KIND_PERMANENT
	} else if after, ok := RetryAfter(err); ok {
		e.Kind = pb.ErrorKind_ERROR_KIND_RETRYABLE
		e.RetryAfterMs = after.Milliseconds()
		if e.RetryAfterMs == 0 && after > 0 {
			// Truncating a sub-millisecond delay to 0 would turn "wait" into "no delay asked for".
			e.RetryAfterMs = 1
		}
	}
	var ce ConfigErrors
	if errors.As(err, &ce) {
		for _, f := range ce {
			e.Fields = append(e.Fields, &pb.FieldError{Field: f.Field, Message: f.Message})
		}
	}
	return e
}

func errorFromProto(e *pb.Error) error {
	if e == nil {
		return nil
	}
	var err error = &remoteError{msg: e.GetMessage()}
	if fields := e.GetFields(); len(fields) > 0 {
		ce := make(ConfigErrors, len(fields))
		for i, f := range fields {
			ce[i] = ConfigError{Field: f.GetField(), Message: f.GetMessage()}
		}
		if ce.Error() == e.GetMessage() {
			err = ce
		} else {
			err = &remoteError{msg: e.GetMessage(), cause: ce}
		}
	}
	switch e.GetKind() {
	case pb.ErrorKind_ERROR_KIND_PERMANENT:
		err = Permanent(err)
	case pb.ErrorKind_ERROR_KIND_RETRYABLE:
		err = Retryable(err, time.Duration(e.GetRetryAfterMs())*time.Millisecond)
	}
	return err
}

// Times travel as Unix nanoseconds with 0 for the zero time, because the zero
// time.Time has no Unix nanosecond value. They come back in UTC.
func timeToProto(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func timeFromProto(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func headersToProto(h map[string][]string) map[string]*pb.HeaderValues {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]*pb.HeaderValues, len(h))
	for k, v := range h {
		out[k] = &pb.HeaderValues{Values: v}
	}
	return out
}

func headersFromProto(h map[string]*pb.HeaderValues) map[string][]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string][]string, len(h))
	for k, v := range h {
		out[k] = v.GetValues()
	}
	return out
}

func descriptorToProto(d Descriptor) *pb.Descriptor {
	return &pb.Descriptor{
		Name:         d.Name,
		Version:      d.Version,
		Kind:         d.Kind,
		Capabilities: d.Capabilities,
		ConfigSchema: d.ConfigSchema,
	}
}

func descriptorFromProto(d *pb.Descriptor) Descriptor {
	return Descriptor{
		Name:         d.GetName(),
		Version:      d.GetVersion(),
		Kind:         d.GetKind(),
		Capabilities: d.GetCapabilities(),
		ConfigSchema: d.GetConfigSchema(),
	}
}

func instanceToProto(i Instance) *pb.Instance {
	return &pb.Instance{ChannelId: i.ChannelID, Config: i.Config}
}

func instanceFromProto(i *pb.Instance) Instance {
	return Instance{ChannelID: i.GetChannelId(), Config: i.GetConfig()}
}

func webhookRequestToProto(r WebhookRequest) *pb.WebhookRequest {
	return &pb.WebhookRequest{
		Method:     r.Method,
		Path:       r.Path,
		Query:      r.Query,
		Headers:    headersToProto(r.Headers),
		Body:       r.Body,
		RemoteAddr: r.RemoteAddr,
	}
}

func webhookRequestFromProto(r *pb.WebhookRequest) WebhookRequest {
	return WebhookRequest{
		Method:     r.GetMethod(),
		Path:       r.GetPath(),
		Query:      r.GetQuery(),
		Headers:    headersFromProto(r.GetHeaders()),
		Body:       r.GetBody(),
		RemoteAddr: r.GetRemoteAddr(),
	}
}

func webhookResultToProto(r WebhookResult) *pb.WebhookResult {
	return &pb.WebhookResult{
		Response: &pb.HTTPResponse{
			Status:  int32(r.Response.Status),
			Headers: headersToProto(r.Response.Headers),
			Body:    r.Response.Body,
		},
		Messages: inboundToProto(r.Messages),
		Receipts: receiptsToProto(r.Receipts),
	}
}

func webhookResultFromProto(r *pb.WebhookResult) WebhookResult {
	resp := r.GetResponse()
	return WebhookResult{
		Response: HTTPResponse{
			Status:  int(resp.GetStatus()),
			Headers: headersFromProto(resp.GetHeaders()),
			Body:    resp.GetBody(),
		},
		Messages: inboundFromProto(r.GetMessages()),
		Receipts: receiptsFromProto(r.GetReceipts()),
	}
}

func contactToProto(c Contact) *pb.Contact {
	return &pb.Contact{
		ExternalId: c.ExternalID,
		Name:       c.Name,
		Email:      c.Email,
		Phone:      c.Phone,
		AvatarUrl:  c.AvatarURL,
		Attributes: c.Attributes,
		Verified:   c.Verified,
	}
}

func contactFromProto(c *pb.Contact) Contact {
	return Contact{
		ExternalID: c.GetExternalId(),
		Name:       c.GetName(),
		Email:      c.GetEmail(),
		Phone:      c.GetPhone(),
		AvatarURL:  c.GetAvatarUrl(),
		Attributes: c.GetAttributes(),
		Verified:   c.GetVerified(),
	}
}

func attachmentsToProto(as []Attachment) []*pb.Attachment {
	if len(as) == 0 {
		return nil
	}
	out := make([]*pb.Attachment, len(as))
	for i, a := range as {
		out[i] = &pb.Attachment{Name: a.Name, ContentType: a.ContentType, Size: a.Size, Url: a.URL, Data: a.Data}
	}
	return out
}

func attachmentsFromProto(as []*pb.Attachment) []Attachment {
	if len(as) == 0 {
		return nil
	}
	out := make([]Attachment, len(as))
	for i, a := range as {
		out[i] = Attachment{Name: a.GetName(), ContentType: a.GetContentType(), Size: a.GetSize(), URL: a.GetUrl(), Data: a.GetData()}
	}
	return out
}

func inboundToProto(ms []InboundMessage) []*pb.InboundMessage {
	if len(ms) == 0 {
		return nil
	}
	out := make([]*pb.InboundMessage, len(ms))
	for i, m := range ms {
		out[i] = &pb.InboundMessage{
			ExternalId:     m.ExternalID,
			Sender:         contactToProto(m.Sender),
			Type:           m.Type,
			Text:           m.Text,
			Attachments:    attachmentsToProto(m.Attachments),
			SentAtUnixNano: timeToProto(m.SentAt),
		}
	}
	return out
}

func inboundFromProto(ms []*pb.InboundMessage) []InboundMessage {
	if len(ms) == 0 {
		return nil
	}
	out := make([]InboundMessage, len(ms))
	for i, m := range ms {
		out[i] = InboundMessage{
			ExternalID:  m.GetExternalId(),
			Sender:      contactFromProto(m.GetSender()),
			Type:        m.GetType(),
			Text:        m.GetText(),
			Attachments: attachmentsFromProto(m.GetAttachments()),
			SentAt:      timeFromProto(m.GetSentAtUnixNano()),
		}
	}
	return out
}

func outboundToProto(m OutboundMessage) *pb.OutboundMessage {
	return &pb.OutboundMessage{
		MessageId:   m.MessageID,
		Recipient:   contactToProto(m.Recipient),
		Type:        m.Type,
		Text:        m.Text,
		Attachments: attachmentsToProto(m.Attachments),
	}
}

func outboundFromProto(m *pb.OutboundMessage) OutboundMessage {
	return OutboundMessage{
		MessageID:   m.GetMessageId(),
		Recipient:   contactFromProto(m.GetRecipient()),
		Type:        m.GetType(),
		Text:        m.GetText(),
		Attachments: attachmentsFromProto(m.GetAttachments()),
	}
}

func receiptsToProto(rs []Receipt) []*pb.Receipt {
	if len(rs) == 0 {
		return nil
	}
	out := make([]*pb.Receipt, len(rs))
	for i, r := range rs {
		out[i] = &pb.Receipt{
			MessageExternalId: r.MessageExternalID,
			Status:            r.Status,
			Error:             r.Error,
			AtUnixNano:        timeToProto(r.At),
		}
	}
	return out
}

func receiptsFromProto(rs []*pb.Receipt) []Receipt {
	if len(rs) == 0 {
		return nil
	}
	out := make([]Receipt, len(rs))
	for i, r := range rs {
		out[i] = Receipt{
			MessageExternalID: r.GetMessageExternalId(),
			Status:            r.GetStatus(),
			Error:             r.GetError(),
			At:                timeFromProto(r.GetAtUnixNano()),
		}
	}
	return out
}
