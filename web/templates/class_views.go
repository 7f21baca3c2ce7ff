package templates

// ClassNewView is the page that creates a class: its form as typed, the
// preset fields a lesson may set, and the messages of a refused attempt.
type ClassNewView struct {
	Name   string
	Fields []LessonField
	// UsePreset is whether the lesson preset is on.
	UsePreset bool
	Errors    map[string]string // by field ("name", "preset.bottleneck", …); "" is form-wide
}

// LessonField is one configuration field of the class form: its value and
// whether it is locked or hidden.
type LessonField struct {
	Name, Label, Value, Help string
	Locked, Hidden           bool
}

// ClassView is the teacher's dashboard of a class. The server renders its
// frame; /static/js/class.js fills it from the class stream.
type ClassView struct {
	ID, Name, Code string
	Open           bool
	JoinURL        string
	QRURL          string
	IsTeacher      bool
	Present        bool
	Lesson         []KV // the preset, field by field ("bottleneck" → "2 (locked)")
	Boot           ClassBoot
}

// ClassBoot is handed to class.js as JSON (script id "class-boot").
type ClassBoot struct {
	ID        string `json:"id"`
	WSURL     string `json:"ws_url"`
	APIURL    string `json:"api_url"`
	Teacher   bool   `json:"teacher"`
	Present   bool   `json:"present"`
	MaxTiles  int    `json:"max_tiles"`
	Dataset   string `json:"dataset"`
	LossLabel string `json:"loss_label"`
}

// JoinView is the page where a student types the class code and a name.
type JoinView struct {
	Code, Name string
	ClassName  string // when the code is known (the /join/{code} link)
	Errors     map[string]string
	Suggestion string
}

// LessonBanner tells a student which class the form belongs to.
type LessonBanner struct {
	ClassName, ClassURL, Student string
	Open                         bool
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
