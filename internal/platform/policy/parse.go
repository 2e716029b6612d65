package policy

import (
	"fmt"
	"strings"
)

// Parse parses one rule text.
func Parse(text string) (Check, error) {
	toks, err := tokenize(text)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return trueCheck{}, nil
	}
	p := &parser{toks: toks}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.pos])
	}
	return c, nil
}

func tokenize(s string) ([]string, error) {
	var toks []string
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		default:
			j := i
			var quote byte
			inSubst := false
			for j < len(s) {
				ch := s[j]
				if inSubst {
					if ch == ')' {
						inSubst = false
					}
					j++
					continue
				}
				if ch == '(' && j > i && s[j-1] == '%' {
					inSubst = true
					j++
					continue
				}
				if quote != 0 {
					if ch == quote {
						quote = 0
					}
					j++
					continue
				}
				if ch == '\'' || ch == '"' {
					quote = ch
					j++
					continue
				}
				if ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == ')' {
					break
				}
				// "(" only splits a token at its start; inside %(x)s it is
				// part of the token.
				if ch == '(' && j > i && s[j-1] != '%' {
					break
				}
				j++
			}
			if quote != 0 {
				return nil, fmt.Errorf("unterminated quote in %q", s)
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}

type parser struct {
	toks []string
	pos  int
}

func (p *parser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *parser) or() (Check, error) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	cs := []Check{first}
	for strings.EqualFold(p.peek(), "or") {
		p.pos++
		c, err := p.and()
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	if len(cs) == 1 {
		return first, nil
	}
	return orCheck{cs}, nil
}

func (p *parser) and() (Check, error) {
	first, err := p.not()
	if err != nil {
		return nil, err
	}
	cs := []Check{first}
	for strings.EqualFold(p.peek(), "and") {
		p.pos++
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	if len(cs) == 1 {
		return first, nil
	}
	return andCheck{cs}, nil
}

func (p *parser) not() (Check, error) {
	if strings.EqualFold(p.peek(), "not") {
		p.pos++
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return notCheck{c}, nil
	}
	return p.atom()
}

func (p *parser) atom() (Check, error) {
	t := p.peek()
	switch t {
	case "":
		return nil, fmt.Errorf("unexpected end of rule")
	case "(":
		p.pos++
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return c, nil
	case ")":
		return nil, fmt.Errorf("unexpected )")
	}
	p.pos++
	switch t {
	case "@":
		return trueCheck{}, nil
	case "!":
		return falseCheck{}, nil
	}
	kind, match, ok := strings.Cut(t, ":")
	if !ok {
		return nil, fmt.Errorf("invalid check %q", t)
	}
	switch kind {
	case "rule":
		return ruleCheck{match}, nil
	case "role":
		return roleCheck{match}, nil
	case "http", "https":
		// Remote checks are not supported; they never pass.
		return falseCheck{}, nil
	case "field":
		// Neutron's field check, "field:networks:shared=True": the
		// target's attribute compared with a constant.
		_, cmp, ok := strings.Cut(match, ":")
		field, value, ok2 := strings.Cut(cmp, "=")
		if !ok || !ok2 || field == "" {
			return nil, fmt.Errorf("invalid field check %q", t)
		}
		return fieldCheck{field: field, value: value}, nil
	}
	return genericCheck{kind: kind, match: match}, nil
}
