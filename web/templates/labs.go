package templates

// LabsIndexView lists the labs.
type LabsIndexView struct{ Labs []LabCard }

// LabCard is one lab on the index.
type LabCard struct{ Slug, Title, Summary, URL string }

// LabOption is a field of a lab's start form: a select when Choices is
// set, a text input otherwise.
type LabOption struct {
	Name, Label, Value, Help string
	InputMode                string // e.g. "decimal" or "numeric" for text inputs
	Choices                  []Choice
}

// LabSession is a session a lab started, as the lab's script needs it.
type LabSession struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	State      string  `json:"state"`
	URL        string  `json:"url"`
	WSURL      string  `json:"ws_url"`
	APIURL     string  `json:"api_url"`
	Owner      bool    `json:"owner"`
	Bottleneck int     `json:"bottleneck"`
	Activation string  `json:"activation"`
	Beta       float64 `json:"beta,omitempty"` // a variational autoencoder's KL weight
}

// LabView is one lab page.
type LabView struct {
	Slug, Title string
	Intro       []string
	Options     []LabOption
	Errors      map[string]string // option name → message; "" for the form
	Sessions    []LabSession      // the lab's running or finished sessions, once started
	Script      string            // the lab's ES module
}

// labBootData is handed to the lab's script (script id "lab-boot").
type labBootData struct {
	Slug     string       `json:"slug"`
	Sessions []LabSession `json:"sessions"`
}

func labBoot(v LabView) labBootData {
	b := labBootData{Slug: v.Slug, Sessions: v.Sessions}
	if b.Sessions == nil {
		b.Sessions = []LabSession{}
	}
	return b
}
