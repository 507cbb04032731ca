// LadybugDB schema of the kg graph, the tables of kg/vocab.py (a test keeps the two alike). Every
// property kg writes is declared; keys are Paper.id and Concept.id (a concept's stable id; its
// name is a property); CO_OCCURS is stored once, smaller concept id -> larger.
CREATE NODE TABLE Paper(
    id STRING,
    title STRING,
    abstract STRING,
    year INT64,
    date STRING,
    url STRING,
    authors STRING[],
    categories STRING[],
    sources STRING[],
    PRIMARY KEY (id)
);
CREATE NODE TABLE Concept(
    id STRING,
    name STRING,
    type STRING,
    aliases STRING[],
    paper_count INT64,
    merged STRING[],
    generic BOOLEAN,
    PRIMARY KEY (id)
);
CREATE REL TABLE MENTIONS(FROM Paper TO Concept, role STRING, count INT64);
CREATE REL TABLE CO_OCCURS(FROM Concept TO Concept, weight INT64);
