"""The seed data: the court and eight of its district judges."""

COURT = {"code": "ilnd", "name": "United States District Court for the Northern District of Illinois"}
JUDGES = [
    ("rebecca-r-pallmeyer", "Rebecca R. Pallmeyer"),
    ("virginia-m-kendall", "Virginia M. Kendall"),
    ("matthew-f-kennelly", "Matthew F. Kennelly"),
    ("thomas-m-durkin", "Thomas M. Durkin"),
    ("john-j-tharp-jr", "John J. Tharp, Jr."),
    ("sara-l-ellis", "Sara L. Ellis"),
    ("andrea-r-wood", "Andrea R. Wood"),
    ("manish-s-shah", "Manish S. Shah"),
]
