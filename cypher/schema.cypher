// LadybugDB schema of the kg graph. Every property kg writes is declared (CYPHER.md rule 10);
// keys are Paper.id and Concept.name (rule 2); CO_OCCURS is stored once, smaller name -> larger.
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
    name STRING,
    id STRING,
    type STRING,
    aliases STRING[],
    paper_count INT64,
    merged STRING[],
    generic BOOLEAN,
    PRIMARY KEY (name)
);
CREATE REL TABLE MENTIONS(FROM Paper TO Concept, role STRING, count INT64);
CREATE REL TABLE CO_OCCURS(FROM Concept TO Concept, weight INT64);
