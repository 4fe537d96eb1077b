package conversation

// TouchedInbound lets the external tests compare the batch's prediction with what the
// one-message path stores.
var TouchedInbound = touchedInbound
